"""业务监管: read-only Wagtail admin lists of every workflow's items for platform moderators."""
