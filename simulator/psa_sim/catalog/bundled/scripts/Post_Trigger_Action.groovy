// psa-sim stand-in for the service-automation script Post_Trigger_Action.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the post script of an action. Argument: the state to report (FINISHED, PAUSED,
// RUNNING), ERROR if the container command failed; FINISHED also sets FINISH_DONE.
