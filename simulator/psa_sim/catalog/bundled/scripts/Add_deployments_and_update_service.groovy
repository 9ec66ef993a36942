// psa-sim stand-in for the service-automation script Add_deployments_and_update_service.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the Arguments: JSON variable base name, count. Adds the deployments described by
// the variables <base>0..<base>count-1 and reports RUNNING (ERROR when there is none).
