// psa-sim stand-in for the service-automation script Find_and_set_Instance_Id.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the pre script of a task acting on another service. Arguments: service id, instance name. Puts INSTANCE_ID, the id of that service's instance of that name.
