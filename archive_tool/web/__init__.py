"""The archive's web page: search, client files and documents for staff who do not use
a terminal, served by the archive service beside its socket (design §7).

People sign in with their OS account's password (PAM); each request then runs the
same functions as the command line (finding, views, custody, checking, compliance)
for that staff member, so the rules live in one place. Pages are rendered on the
server from autoescaped Jinja2 templates, in the archive's language.

    server.py     the HTTP server (waitress) in a thread of the daemon
    app.py        the WSGI application: sessions, CSRF, errors, security headers
    pages.py      one function per page, over the library's use-case functions
    documents.py  one file of a client, checked and audited like `client show`
    signin.py     PAM, and the guard that slows down password guessing
    sessions.py   server-side sessions
    labels.py     the names of kinds, categories and fields as people read them
"""
