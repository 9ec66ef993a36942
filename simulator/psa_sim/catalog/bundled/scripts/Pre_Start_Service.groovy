// psa-sim stand-in for the service-automation script Pre_Start_Service.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the pre script of a service's start task. With PROXYFIED=true it puts PROXYFIED_URL (the public
// .../cloud-automation-service/services/{instance}/endpoints/{ENDPOINT_ID}/ address) and
// WS_PROXYFIED_URL (the same with ws:// or wss://).
