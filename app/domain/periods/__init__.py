"""Academic periods (school years, semesters, trimesters) and their school holidays."""
