// psa-sim stand-in for the service-automation script Resume_Action.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the main script of a resume: starts the stopped container again and writes its status file.
