// psa-sim stand-in for the service-automation script Clean_Start_Service.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the cleaning script of a service's start task: an instance that did not reach RUNNING
// is put in ERROR.
