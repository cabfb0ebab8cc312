"""Facts about Redis (commands, key positions, limits, encodings); imports nothing from redisprep."""
