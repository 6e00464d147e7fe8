"""Small data files shipped with course_lib (the data registry and condensed datasets)."""
