// psa-sim stand-in for the service-automation script Fetch_Logs.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the control flow of the loop task: loop every minute until IS_FINISHED is true.
