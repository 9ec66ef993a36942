"""The scheduler's and the resource manager's DTOs, as documented shapes in /openapi.json.

Field for field as ow2-proactive/scheduling rest/rest-api/.../scheduler/dto/*.java and
rm/rm-api/.../common/event/*.java (Jackson names). Answers are built in
platform/scheduler_views.py and platform/rm_ops.py; these only describe them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

JobStatusName = Literal[
    "PENDING",
    "RUNNING",
    "STALLED",
    "FINISHED",
    "PAUSED",
    "CANCELED",
    "FAILED",
    "KILLED",
    "IN_ERROR",
]
TaskStatusName = Literal[
    "SUBMITTED",
    "PENDING",
    "PAUSED",
    "RUNNING",
    "WAITING_ON_ERROR",
    "WAITING_ON_FAILURE",
    "FAILED",
    "NOT_STARTED",
    "NOT_RESTARTED",
    "ABORTED",
    "FAULTY",
    "FINISHED",
    "SKIPPED",
    "IN_ERROR",
]
PriorityName = Literal["IDLE", "LOWEST", "LOW", "NORMAL", "HIGH", "HIGHEST"]


class JobIdData(BaseModel):
    id: int
    readableName: str


class TaskIdData(BaseModel):
    id: int
    readableName: str


class JobVariable(BaseModel):
    name: str
    value: str | None
    model: str | None
    description: str | None
    group: str | None
    advanced: bool
    hidden: bool


class JobInfoData(BaseModel):
    startTime: int
    inErrorTime: int
    finishedTime: int
    submittedTime: int
    removedTime: int
    status: JobStatusName
    jobId: JobIdData
    totalNumberOfTasks: int
    numberOfPendingTasks: int
    numberOfRunningTasks: int
    numberOfFinishedTasks: int
    numberOfFailedTasks: int
    numberOfFaultyTasks: int
    numberOfInErrorTasks: int
    priority: PriorityName
    jobOwner: str
    tenant: str | None
    domain: str | None
    projectName: str | None
    description: str | None
    bucketName: str | None
    label: str | None
    toBeRemoved: bool
    genericInformation: dict[str, str]
    variables: dict[str, str]
    detailedVariables: dict[str, JobVariable]
    signals: list[str]
    detailedSignals: dict[str, dict[str, JobVariable]]
    visualizationConnectionStrings: dict[str, str]
    visualizationIcons: dict[str, str]
    attachedServices: dict[str, bool]
    externalEndpointUrls: dict[str, dict]
    resultMapPresent: bool
    preciousTasks: list[str]
    parentId: int | None
    childrenCount: int
    cumulatedCoreTime: int
    numberOfNodes: int
    numberOfNodesInParallel: int
    submissionMode: str | None
    startAt: int | None


class TaskInfoData(BaseModel):
    jobId: JobIdData
    taskId: TaskIdData
    startTime: int
    finishedTime: int
    inErrorTime: int
    scheduledTime: int
    executionDuration: int
    taskStatus: TaskStatusName
    executionHostName: str | None
    numberOfExecutionLeft: int
    numberOfExecutionOnFailureLeft: int
    visualizationActivated: bool
    visualizationConnectionString: str | None
    variables: dict[str, str] | None
    progress: int


class TaskStateData(BaseModel):
    name: str
    description: str | None
    tag: str | None
    iterationIndex: int
    replicationIndex: int
    maxNumberOfExecution: int
    maxNumberOfExecutionOnFailure: int
    taskInfo: TaskInfoData
    parallelEnvironment: dict | None
    genericInformation: dict[str, str]


class JobStateData(BaseModel):
    id: int
    name: str
    priority: PriorityName
    owner: str
    tenant: str | None
    domain: str | None
    jobInfo: JobInfoData
    projectName: str | None
    tasks: dict[str, TaskStateData]
    genericInformation: dict[str, str]


class UserJobData(BaseModel):
    jobid: str
    jobOwner: str
    jobInfo: JobInfoData


class TaskResultData(BaseModel):
    id: TaskIdData
    serializedValue: str | None
    value: str | None
    serializedException: str | None
    exceptionMessage: str | None
    metadata: dict[str, str]
    propagatedVariables: dict[str, str]
    serializedPropagatedVariables: dict[str, str]
    output: dict | None
    raw: bool


class JobResultData(BaseModel):
    id: JobIdData
    jobInfo: JobInfoData
    allResults: dict[str, TaskResultData]
    preciousResults: dict[str, TaskResultData]
    resultMap: dict[str, str]
    serializedResultMap: dict[str, str]
    exceptionResults: dict[str, TaskResultData]


class RestPageOfStrings(BaseModel):
    """RestPage<String>."""

    size: int
    list: list[str]


class RestPageOfUserJobData(BaseModel):
    """RestPage<UserJobData>."""

    size: int
    list: list[UserJobData]


class RestPageOfTaskStateData(BaseModel):
    """RestPage<TaskStateData>."""

    size: int
    list: list[TaskStateData]


class RestMapPageOfJobs(BaseModel):
    """RestMapPage<Long, ArrayList<UserJobData>>: the state revision → the page."""

    size: int
    map: dict[str, list[UserJobData]]


class JobValidationData(BaseModel):
    valid: bool
    taskName: str | None
    errorMessage: str | None
    stackTrace: str | None
    updatedVariables: dict[str, str]
    updatedModels: dict[str, str]
    updatedDescriptions: dict[str, str]
    updatedGroups: dict[str, str]
    updatedAdvanced: dict[str, bool]
    updatedHidden: dict[str, bool]


# --- resource manager ----------------------------------------------------------------
class RMNodeEvent(BaseModel):
    eventType: str
    timeStamp: int
    counter: int
    firstCounter: int
    initiator: str | None
    rmurl: str | None
    nodeUrl: str
    nodeSource: str
    padname: str | None
    vnName: str | None
    hostName: str
    vmname: str | None
    nodeState: Literal["FREE", "BUSY", "DOWN", "TO_BE_REMOVED", "DEPLOYING", "LOST", "CONFIGURING"]
    previousNodeState: str | None
    nodeProvider: str | None
    nodeOwner: str | None
    nodeInfo: str | None
    defaultJMXUrl: str | None
    proactiveJMXUrl: str | None
    locked: bool
    lockTime: int
    nodeLocker: str | None
    tokens: list[str]
    description: str | None
    tenant: str | None


class RMNodeSourceEvent(BaseModel):
    eventType: str
    timeStamp: int
    counter: int
    firstCounter: int
    initiator: str | None
    rmurl: str | None
    sourceName: str
    nodeSourceName: str
    sourceDescription: str | None
    nodeSourceDescription: str | None
    nodeSourceAdmin: str | None
    nodeSourceStatus: str | None
    infrastructureType: str | None
    policyType: str | None
    accessTokens: list[str]
    tenant: str | None


class RMStateFull(BaseModel):
    nodeSource: list[RMNodeSourceEvent]
    nodesEvents: list[RMNodeEvent]


class RMStateDelta(RMStateFull):
    latestCounter: int


class RMStateNodeUrls(BaseModel):
    freeNodesUrls: list[str]
    aliveNodesUrls: list[str]
    allNodesUrls: list[str]


class RMState(BaseModel):
    rmNodeUrls: RMStateNodeUrls
    maxNumberOfNodes: int | None
    freeNodesNumber: int
    freeNodes: list[str]
    totalAliveNodesNumber: int
    aliveNodes: list[str]
    totalNodesNumber: int
    allNodes: list[str]
