<%@ Page language="c#" Inherits="Microsoft.Exchange.HttpProxy.TimeoutLogout" %>
<html><body></body></html>
