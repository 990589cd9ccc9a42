"""The example domain: router, schemas, service, repository, model."""
