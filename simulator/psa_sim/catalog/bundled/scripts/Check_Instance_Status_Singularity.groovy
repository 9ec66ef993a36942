// psa-sim stand-in for the service-automation script Check_Instance_Status_Singularity.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the the same as Check_Instance_Status, for Singularity instances.
