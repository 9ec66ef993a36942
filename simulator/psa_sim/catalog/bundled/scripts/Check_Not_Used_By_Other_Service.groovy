// psa-sim stand-in for the service-automation script Check_Not_Used_By_Other_Service.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the node selection script: selects a node carrying no PSA_ token (one service per node).
