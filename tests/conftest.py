def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds a wheel and a fresh venv (about a minute); in the default run")
