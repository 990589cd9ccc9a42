"""The organisation's identity provider (OpenID Connect) as the service's only way in.

The service is a resource server: it verifies the provider's access tokens
against the keys the provider publishes and maps their claims onto the
`Principal` the guards of every domain use. Signing in, passwords and refresh
tokens are the provider's business.
"""
