// The HTML SEC answers instead of a feed (sometimes with 403, sometimes with 200): an undeclared
// User-Agent, or more than the fair-access rate. XHTML, so it is well-formed XML.

const page = (
  title: string,
  body: string,
) => `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>SEC.gov | ${title}</title>
</head>
<body>
<div id="main-content">
<h1>${title}</h1>
${body}
</div>
</body>
</html>
`;

export const SEC_UNDECLARED_TOOL_PAGE = page(
  'Your Request Originates from an Undeclared Automated Tool',
  `<p>To allow for equitable access to all users, SEC reserves the right to limit requests originating from undeclared automated tools. Your request has been identified as part of a network of automated tools outside of the acceptable policy and will be managed until action is taken to declare your traffic.</p>
<p>Please declare your traffic by updating your user agent to include company specific information.</p>`,
);

export const SEC_RATE_EXCEEDED_PAGE = page(
  'Request Rate Threshold Exceeded',
  `<p>Your request rate has exceeded the threshold of 10 requests per second. Access will be restored once the rate stays below the threshold for 10 minutes.</p>`,
);
