// psa-sim stand-in for the service-automation script Update_service_and_remove_tokens.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the Arguments: status (or null), token. Reports the status and, once the
// activation's job is over, removes the token from every deployment's node.
