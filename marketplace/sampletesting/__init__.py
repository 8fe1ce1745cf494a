"""Sample-testing orders (送样检测): describe samples, quote, pay, receive, report."""
