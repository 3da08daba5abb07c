"""Text handling shared by the stages: input files, cleaning, tokens, lexicons, stems."""
