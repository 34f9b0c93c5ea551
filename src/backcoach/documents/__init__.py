"""Documents to print or hand over: PDF progress reports and exercise handouts."""
