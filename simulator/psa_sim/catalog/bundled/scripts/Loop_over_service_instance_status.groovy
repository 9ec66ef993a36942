// psa-sim stand-in for the service-automation script Loop_over_service_instance_status.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the main script of a multi-node service's loop task. Arguments: status_is_ok,
// is_docker_based, token, container. FINISHED: IS_FINISHED and the token removed from every
// deployment's node; a bad status (unless FINISH_LAUNCHED/PAUSE_LAUNCHED): ERROR.
