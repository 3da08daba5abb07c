"""Pipeline stages: one entry per dvc.yaml stage that reads its inputs and writes every output."""
