from tests.fakes.openai_fixtures import fake_openai, hermetic_settings, openai_server

__all__ = ["fake_openai", "hermetic_settings", "openai_server"]
