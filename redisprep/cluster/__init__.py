"""Redis Cluster: slot layouts, a local cluster redisprep starts, and an in-process simulation.

``slots`` (slot ranges and reports; key -> slot is :mod:`redisprep.knowledge.slots`), ``state`` and
``local``/``manager`` (the cluster ``cluster up`` starts), ``sim`` (simulated nodes), ``router`` (a
minimal smart client), ``locate`` (``cluster slot``).
"""
