"""Text handling shared by the stages: input files, HTML extraction, cleaning, tokens, lexicons, stems."""
