"""The emulated ProActive server's state outside HTTP: users and sessions, the catalog
service, the journal that makes it durable, and the driver thread that owns it all."""
