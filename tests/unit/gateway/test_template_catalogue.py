"""Every template in the catalogue is a valid job request: its names are fields of POST /jobs (a stray one
would now refuse every use of the template with a 422), and its values pass JobCreate's checks."""

import json

import pytest

from services.gateway.core import templates


@pytest.mark.parametrize("definition", templates.CATALOGUE, ids=lambda definition: definition.slug)
def test_a_catalogue_template_makes_a_valid_job_request(definition: templates.Definition) -> None:
    row = templates.Template(
        id=templates.template_id(definition.slug),
        slug=definition.slug,
        name=definition.name,
        category=definition.category,
        description=definition.description,
        parameters=json.dumps(definition.parameters),
    )
    request = templates.template_request(row, {})
    assert request.model_dump(include=set(definition.parameters)) == definition.parameters
