"""An account's sessions, stored: refresh tokens, hashed, in families.

The users domain owns them because ending an account's sessions is part of
changing the account (deactivation, a new password); auth issues and rotates them.
"""
