"""Stand-ins for the services cachly talks to, on 127.0.0.1, for tests, benchmarks and demos."""
