from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """The production algorithm at a test-suite cost (each production hash takes ~250 ms)."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
