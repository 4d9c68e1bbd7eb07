// The example's logs beyond HttpProxy/ECP/OAB, with the column lists Exchange 2016 writes (research exchange-logs.md):
// CmdletInfra Rps_Cmdlet and Rps_Http, EWS, MessageTracking. Rows are named values; the model binds them to the header.
import type { Prng } from './prng.js';

/** Rps_Cmdlet, Exchange 2016 (2013's 63 columns + 4 appended, §1.2). */
export const RPS_CMDLET_FIELDS = 'DateTime,StartTime,RequestId,ClientRequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ServerHostName,ProcessId,ProcessName,ThreadId,CultureInfo,Organization,AuthenticatedUser,ExecutingUserSid,EffectiveOrganization,UserServicePlan,IsAdmin,ClientApplication,Cmdlet,Parameters,CmdletUniqueId,UserBudgetOnStart,ContributeToFailFast,RunspaceSettingsCreationHint,ADViewEntireForest,ADRecipientViewRoot,ADConfigurationDomainControllers,ADPreferredGlobalCatalogs,ADPreferredDomainControllers,ADUserConfigurationDomainController,ADUserPreferredGlobalCatalog,ADuserPreferredDomainControllers,ThrottlingInfo,DelayInfo,ThrottlingDelay,IsOutputObjectRedacted,CmdletProxyStage,CmdletProxyRemoteServer,CmdletProxyRemoteServerVersion,CmdletProxyMethod,ProxiedObjectCount,CmdletProxyLatency,OutputObjectCount,ParameterBinding,BeginProcessing,ProcessRecord,EndProcessing,StopProcessing,BizLogic,PowerShellLatency,UserInteractionLatency,ProvisioningLayerLatency,ActivityContextLifeTime,TotalTime,ErrorType,ExecutionResult,CacheHitCount,CacheMissCount,GenericLatency,GenericInfo,GenericErrors,ObjectGuid,ExternalDirectoryOrganizationId,ExternalDirectoryObjectId,NonPiiParameters'.split(',');

/** Rps_Http: 38 columns, the same in 2013 CU23, 2016 and 2019 (§2.1). */
export const RPS_HTTP_FIELDS = 'DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,UrlHost,UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,ManagedOrganization,ClientIpAddress,ServerHostName,FrontEndServer,HttpStatus,SubStatus,ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,FailFast,ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,ActivityContextLifeTime,TotalTime,UrlQuery,GenericLatency,GenericInfo,GenericErrors'.split(',');

/** EWS, Exchange 2016 CU22 (§3.1): 2013's 72 columns with Ring after RevisionVersion and 19 appended. */
export const EWS_FIELDS = 'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,Ring,ClientRequestId,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,UserAgent,VersionInfo,ClientIpAddress,ServerHostName,FrontEndServer,SoapAction,HttpStatus,RequestSize,ResponseSize,ErrorCode,ImpersonatedUser,ProxyAsUser,ActAsUser,Cookie,CorrelationGuid,PrimaryOrProxyServer,TaskType,RemoteBackendCount,LocalMailboxCount,RemoteMailboxCount,LocalIdCount,RemoteIdCount,BeginBudgetConnections,EndBudgetConnections,BeginBudgetHangingConnections,EndBudgetHangingConnections,BeginBudgetAD,EndBudgetAD,BeginBudgetCAS,EndBudgetCAS,BeginBudgetRPC,EndBudgetRPC,BeginBudgetFindCount,EndBudgetFindCount,BeginBudgetSubscriptions,EndBudgetSubscriptions,MDBResource,MDBHealth,MDBHistoricalLoad,ThrottlingPolicy,ThrottlingDelay,ThrottlingRequestType,TotalDCRequestCount,TotalDCRequestLatency,TotalMBXRequestCount,TotalMBXRequestLatency,RecipientLookupLatency,ExchangePrincipalLatency,HttpPipelineLatency,CheckAccessCoreLatency,AuthModuleLatency,CallContextInitLatency,PreExecutionLatency,CoreExecutionLatency,TotalRequestTime,DetailedExchangePrincipalLatency,ClientStatistics,GenericInfo,AuthenticationErrors,GenericErrors,Puid,StartTime,ProcessId,TimeInGC,StartTotalMemory,EndTotalMemory,StartGCCounts,EndGCCounts,TokenBasedThrottlingPolicy,BudgetKey,CoinsCharged,CoinsChargedMethod,SidBudgetInfo,AppBudgetInfo,TenantBudgetInfo,ResourceAccessed,ResourceHealthBasedThreshold,ThrottledBy,BackoffHint,WorkClassification'.split(',');

/** MessageTracking, 2016/2019 (§4): 2013's 27 columns and 3 appended. */
export const MSGTRK_FIELDS = 'date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version'.split(',');

/** The MSExchange Management event log quotes with ', Rps_Cmdlet's formatter with " (research §1.2). */
export function rpsParameters(eventLogParams: string): string {
  return eventLogParams.replace(/'((?:[^']|'')*)'/g, (_m, v: string) => `"${v.replace(/''/g, "'")}"`);
}

/** Values every RPS cmdlet row of the example carries, the varying ones drawn from `rng`. */
export function rpsCmdletCommon(rng: Prng): Record<string, string> {
  return {
    ProcessName: 'w3wp#MSExchangePowerShellAppPool', ProcessId: String(rng.int(2000, 9000)), ThreadId: String(rng.int(10, 200)),
    CultureInfo: 'en-US', IsAdmin: 'True', ParameterBinding: String(rng.int(0, 5)), BeginProcessing: String(rng.int(0, 40)),
    ProcessRecord: String(rng.int(5, 400)), EndProcessing: '0', BizLogic: String(rng.int(5, 300)), TotalTime: String(rng.int(20, 900)),
    OutputObjectCount: String(rng.int(0, 3)), CmdletUniqueId: rng.guid(),
  };
}
