// Column lists of the Exchange logs the rule fixtures are written in, as Exchange 2016 writes them
// (research exchange-logs.md §1.2, §2.1, §3.1, §4, §5): the header each fixture file starts with.

const split = (s: string): readonly string[] => s.split(',');

/** Rps_Cmdlet, Exchange 2016 (CU8 and CU22): the 63 columns of 2013 CU23 and four appended (§1.2). */
export const RPS_CMDLET = split(
  'DateTime,StartTime,RequestId,ClientRequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,' +
    'ServerHostName,ProcessId,ProcessName,ThreadId,CultureInfo,Organization,AuthenticatedUser,ExecutingUserSid,' +
    'EffectiveOrganization,UserServicePlan,IsAdmin,ClientApplication,Cmdlet,Parameters,CmdletUniqueId,UserBudgetOnStart,' +
    'ContributeToFailFast,RunspaceSettingsCreationHint,ADViewEntireForest,ADRecipientViewRoot,ADConfigurationDomainControllers,' +
    'ADPreferredGlobalCatalogs,ADPreferredDomainControllers,ADUserConfigurationDomainController,ADUserPreferredGlobalCatalog,' +
    'ADuserPreferredDomainControllers,ThrottlingInfo,DelayInfo,ThrottlingDelay,IsOutputObjectRedacted,CmdletProxyStage,' +
    'CmdletProxyRemoteServer,CmdletProxyRemoteServerVersion,CmdletProxyMethod,ProxiedObjectCount,CmdletProxyLatency,' +
    'OutputObjectCount,ParameterBinding,BeginProcessing,ProcessRecord,EndProcessing,StopProcessing,BizLogic,PowerShellLatency,' +
    'UserInteractionLatency,ProvisioningLayerLatency,ActivityContextLifeTime,TotalTime,ErrorType,ExecutionResult,CacheHitCount,' +
    'CacheMissCount,GenericLatency,GenericInfo,GenericErrors,ObjectGuid,ExternalDirectoryOrganizationId,' +
    'ExternalDirectoryObjectId,NonPiiParameters',
);

/** Rps_Http: 38 columns, the same from 2013 CU23 to 2019 CU12 (§2.1). */
export const RPS_HTTP = split(
  'DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,UrlHost,UrlStem,' +
    'AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,ManagedOrganization,ClientIpAddress,ServerHostName,' +
    'FrontEndServer,HttpStatus,SubStatus,ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,FailFast,' +
    'ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,ActivityContextLifeTime,TotalTime,UrlQuery,GenericLatency,' +
    'GenericInfo,GenericErrors',
);

/** EWS, Exchange 2016 CU22: 2013's 72 columns with Ring after RevisionVersion and 19 appended (§3.1). */
export const EWS = split(
  'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,Ring,ClientRequestId,AuthenticationType,' +
    'IsAuthenticated,AuthenticatedUser,Organization,UserAgent,VersionInfo,ClientIpAddress,ServerHostName,FrontEndServer,' +
    'SoapAction,HttpStatus,RequestSize,ResponseSize,ErrorCode,ImpersonatedUser,ProxyAsUser,ActAsUser,Cookie,CorrelationGuid,' +
    'PrimaryOrProxyServer,TaskType,RemoteBackendCount,LocalMailboxCount,RemoteMailboxCount,LocalIdCount,RemoteIdCount,' +
    'BeginBudgetConnections,EndBudgetConnections,BeginBudgetHangingConnections,EndBudgetHangingConnections,BeginBudgetAD,' +
    'EndBudgetAD,BeginBudgetCAS,EndBudgetCAS,BeginBudgetRPC,EndBudgetRPC,BeginBudgetFindCount,EndBudgetFindCount,' +
    'BeginBudgetSubscriptions,EndBudgetSubscriptions,MDBResource,MDBHealth,MDBHistoricalLoad,ThrottlingPolicy,' +
    'ThrottlingDelay,ThrottlingRequestType,TotalDCRequestCount,TotalDCRequestLatency,TotalMBXRequestCount,' +
    'TotalMBXRequestLatency,RecipientLookupLatency,ExchangePrincipalLatency,HttpPipelineLatency,CheckAccessCoreLatency,' +
    'AuthModuleLatency,CallContextInitLatency,PreExecutionLatency,CoreExecutionLatency,TotalRequestTime,' +
    'DetailedExchangePrincipalLatency,ClientStatistics,GenericInfo,AuthenticationErrors,GenericErrors,Puid,StartTime,' +
    'ProcessId,TimeInGC,StartTotalMemory,EndTotalMemory,StartGCCounts,EndGCCounts,TokenBasedThrottlingPolicy,BudgetKey,' +
    'CoinsCharged,CoinsChargedMethod,SidBudgetInfo,AppBudgetInfo,TenantBudgetInfo,ResourceAccessed,' +
    'ResourceHealthBasedThreshold,ThrottledBy,BackoffHint,WorkClassification',
);

/** MessageTracking, Exchange 2016/2019: 2013's 27 columns and three appended (§4). */
export const MESSAGE_TRACKING = split(
  'date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,' +
    'internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,' +
    'related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,' +
    'original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version',
);

/** The unified-audit local queue, 2016 CU22 (§5). */
export const AUDIT = split('Timestamp,Server,TenantId,RecordType,Data,UserKey,RecordId,Operation,Workload,ResultStatus,Version,Scope');
