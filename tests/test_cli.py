"""Command-line entry points."""

from signup import create_app
from tests.conftest import SECRET


def test_migrate_is_safe_to_run_again(runner):
    assert runner.invoke(args=["migrate"]).output == "database is up to date\n"
    assert runner.invoke(args=["migrate"]).exit_code == 0


def test_forms_check_prints_each_form_s_event_names(runner):
    output = runner.invoke(args=["forms", "check"]).output
    assert "subscribeFromApi-sms offers" in output and "subscribeUpdateFromApi-newsletter" in output


def test_the_worker_refuses_to_start_without_a_key_unless_dry_run(settings):
    app = create_app({**settings, "ESPUTNIK_API_KEY": "", "DRY_RUN": False}, environ={"SECRET_KEY": SECRET})
    result = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 2
    assert "ESPUTNIK_API_KEY: not set" in result.output and "none is lost" in result.output
