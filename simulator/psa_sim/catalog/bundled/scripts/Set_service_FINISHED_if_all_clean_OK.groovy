// psa-sim stand-in for the service-automation script Set_service_FINISHED_if_all_clean_OK.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the Arguments: status, clean status file. Reports the status (ERROR if a
// clean-up step failed); FINISHED also sets FINISH_DONE.
