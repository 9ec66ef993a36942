// psa-sim stand-in for the service-automation script Check_Instance_Status.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the main script of the activation's loop task. FINISHED: puts IS_FINISHED, deletes the
// channel and removes the node token. A dead container while neither FINISH_LAUNCHED nor
// PAUSE_LAUNCHED is set: the instance goes to ERROR, IS_FINISHED is put, the token stays.
