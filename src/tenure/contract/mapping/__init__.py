"""Source mappings: loading the exports CS teams already have (billing, CRM, support, product
analytics, surveys) into the data contract, with a mapping file instead of a services engagement.

    model.py        the `sources:` section (tenure.yaml or a mapping file), checked on reading
    expressions.py  the safe expression language (parsed by `ast`, never evaluated in Python)
    compiler.py     expressions to typed DuckDB SQL
    formats.py      numbers, dates, timestamps and booleans as exports write them
    targets.py      what fills each contract column
    reading.py      CSV, Parquet and JSON exports read as text
    lookups.py      external keys to contract keys through another file
    engine.py       one file mapped and staged for the contract's checks
    plan.py         which file goes to which file mapping
    loading.py      load or dry-run through `tenure.contract.load`
    files.py        mapping files, presets (`presets/*.yaml`) and combining them
    suggest.py      a first mapping for an unknown export (synonyms.py: what exports call columns)
"""
