# backprop-lab: the instructor's commands. Each target sets up .venv itself when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
COURSE ?= .
# Narrow any course command: ASSIGNMENT="01_fc_layer 02_gender_demo", STUDENT="ada ben"; FORCE=1 regrades.
ASSIGNMENT ?=
STUDENT ?=
FORCE ?=
ONLY = $(foreach a,$(ASSIGNMENT),--assignment $(a))
WHO = $(ONLY) $(foreach s,$(STUDENT),--student $(s))
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# Grade on a Dask cluster (SCHEDULER=tcp://host:8786, or SCHEDULER=local:4 for a local one) and/or
# into another gradebook (DB_URL=postgresql://user@host/course); see README, "Grading a big class".
ifneq ($(strip $(SCHEDULER)),)
export BACKPROP_LAB_SCHEDULER := $(SCHEDULER)
endif
ifneq ($(strip $(DB_URL)),)
export BACKPROP_LAB_DB_URL := $(DB_URL)
endif

.PHONY: help release validate collect autograde feedback release-feedback grades report demo test bench bench-grading clean

help:
	@echo "make release    build release/<assignment>/ for students (nbgrader generate_assignment) and verify it"
	@echo "make validate   every reference solution scores full marks, every released stub scores 0"
	@echo "make collect    ZIP=<LMS download> ASSIGNMENT=<slug>: submitted/ from a Canvas/Moodle zip (LMS=, PATTERN=)"
	@echo "make autograde  grade new or changed submissions in submitted/ (COURSE=dir, default .; FORCE=1 regrades all)"
	@echo "make feedback   per-student HTML in feedback/"
	@echo "make release-feedback  hand the pages of JupyterHub (exchange) submissions back through nbgrader's exchange"
	@echo "make grades     grades.csv (per task) and grades-summary.csv (per student, after late penalties)"
	@echo "make report     class-report/<assignment>.html: score, failure, status and time plots"
	@echo "                ASSIGNMENT=<slug> and STUDENT=<id> narrow collect/autograde/feedback/release-feedback/grades/report"
	@echo "make demo       a simulated class of six through the whole loop (in demo-class/)"
	@echo "make test       the project's own test suite"
	@echo "make bench      reference conv/CNN speed against naive loops and PyTorch CPU (if installed)"
	@echo "make bench-grading  our autograde vs stock nbgrader autograde, 60 students x 2 assignments (BENCH_ARGS='--students 20')"

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

release: $(STAMP)
	$(PY) -m autograder release $(ONLY)

validate: $(STAMP)
	$(PY) -m autograder validate $(ONLY)

collect: $(STAMP)
	$(PY) -m autograder collect --course "$(COURSE)" $(ONLY) --zip "$(ZIP)" $(if $(LMS),--lms $(LMS)) $(if $(PATTERN),--pattern '$(PATTERN)')

autograde: $(STAMP)
	$(PY) -m autograder autograde --course "$(COURSE)" $(WHO) $(if $(filter 1 yes true,$(FORCE)),--force)

feedback: $(STAMP)
	$(PY) -m autograder feedback --course "$(COURSE)" $(WHO)

release-feedback: $(STAMP)
	$(PY) -m autograder release-feedback --course "$(COURSE)" $(WHO)

grades: $(STAMP)
	$(PY) -m autograder grades --course "$(COURSE)" $(WHO)

report: $(STAMP)
	$(PY) -m autograder report --course "$(COURSE)" $(WHO)

demo: $(STAMP)
	$(PY) -m autograder demo $(ONLY)

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/conv_bench.py $(BENCH_ARGS)

bench-grading: $(STAMP)
	$(PY) bench/grading_bench.py $(BENCH_ARGS)

clean:
	rm -rf build demo-class
