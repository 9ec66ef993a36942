"""The emulated ProActive server's state outside HTTP: users and sessions, the catalog
service, the journal that makes it durable, the registry of the operations clients may
call, and the driver: one coroutine, on the HTTP server's event loop, that runs them."""
