"""Who is asking: actors, logins and sessions, passwords, password reset and client signup."""
