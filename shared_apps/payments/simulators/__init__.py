"""Local stand-ins for outside payment providers, for tests and development.

Each is a small Django-free HTTP server (http.server in a thread) that speaks the provider's
protocol with test keys generated at run time: it verifies the mall's signed requests with the
mall's public key and signs its answers and notifications with its own private key, which the
mall is configured to trust as the provider's."""
