"""Technology inquiries (意向洽谈): threaded negotiation between an enterprise and the institution."""
