// psa-sim stand-in for the service-automation script Pre_Trigger_Action.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the pre script of an action. Argument: the channel flag to set (FINISH_LAUNCHED,
// PAUSE_LAUNCHED); RESUME_LAUNCHED sets RUNNING_STATE=1, RESUMED=true, PAUSE_LAUNCHED=false.
