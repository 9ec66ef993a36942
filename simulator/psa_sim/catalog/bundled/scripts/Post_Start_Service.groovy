// psa-sim stand-in for the service-automation script Post_Start_Service.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the post script of a service's start task. Arguments: [scheme]. It reports the instance
// RUNNING with one deployment (node, container, endpoint scheme://HOSTNAME:PORT; the scheme is
// https/http from HTTPS_ENABLED when set, else http if HTTP_ENABLED is true, else the first
// argument, else no endpoint), the groups scheduleradmins and rmcoreadmins when PROXYFIED=true,
// puts HOSTNAME and PORT, sets RUNNING_STATE and INSTANCE_NAME on the channel
// Service_Instance_{id} and the token PSA_<INSTANCE_NAME> on its node.
