"""The geo drill's reference: Redis's own geohash maths (encode, decode, the 11-character string).

The maths lives in :mod:`redisprep.geohash` because the embedded backend computes geo scores with it
too (:mod:`redisprep.fakegeo`); this module is what the drill grades and what learners read.
"""

from redisprep.geohash import decode as decode
from redisprep.geohash import encode as encode
from redisprep.geohash import geohash_string as geohash_string
