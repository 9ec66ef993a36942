// psa-sim stand-in for the service-automation script Service_Action.
// psa-sim does not run this file: its engine interprets every reference to it
// (see docs/script-library.md). On a real server, the main script of a task acting on another service: submits SERVICE_ACTION_WORKFLOW (bucket/name) or ACTION on the instance INSTANCE_ID (Finish_Kafka finishes its Zookeeper this way).
