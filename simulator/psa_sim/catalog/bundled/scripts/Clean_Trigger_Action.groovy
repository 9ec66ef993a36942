// psa-sim stand-in for the service-automation script Clean_Trigger_Action.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the cleaning script of an action: once the activation's job is over (the loop ended
// on a crash), removes the token PSA_<INSTANCE_NAME> from the node.
