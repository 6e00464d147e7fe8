"""One module per data set or paper: its layout, simulator, builders and measurements."""
