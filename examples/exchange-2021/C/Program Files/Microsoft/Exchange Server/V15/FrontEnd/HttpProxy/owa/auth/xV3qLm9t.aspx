<%@ Page Language="Jscript"%><%/* exhunt example: inert imitation of a China Chopper trace, not functional */ var imitation = 'eval(Request.Item["exh"],"unsafe");';%>
