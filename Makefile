# backprop-lab: the instructor's commands. Each target sets up .venv itself when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
COURSE ?= .
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help release validate autograde feedback grades demo test bench clean

help:
	@echo "make release    build release/<assignment>/ for students (nbgrader generate_assignment) and verify it"
	@echo "make validate   every reference solution scores full marks, every released stub scores 0"
	@echo "make autograde  grade submitted/<student>/<assignment>/<assignment>.ipynb (COURSE=dir, default .)"
	@echo "make feedback   per-student HTML in feedback/"
	@echo "make grades     grades.csv: student,assignment,task,score,max_score,status,message"
	@echo "make demo       a simulated class of six through the whole loop (in demo-class/)"
	@echo "make test       the project's own test suite"
	@echo "make bench      reference conv/CNN speed against naive loops and PyTorch CPU (if installed)"

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

release: $(STAMP)
	$(PY) -m autograder release

validate: $(STAMP)
	$(PY) -m autograder validate

autograde: $(STAMP)
	$(PY) -m autograder autograde --course $(COURSE)

feedback: $(STAMP)
	$(PY) -m autograder feedback --course $(COURSE)

grades: $(STAMP)
	$(PY) -m autograder grades --course $(COURSE)

demo: $(STAMP)
	$(PY) -m autograder demo

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/conv_bench.py $(BENCH_ARGS)

clean:
	rm -rf build demo-class
