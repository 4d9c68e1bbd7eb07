<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.logoff" %>
<!DOCTYPE html>
<html><head><title>Outlook</title></head><body><!-- exhunt example: shortened clean-install page --></body></html>
