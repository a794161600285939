"""The course object: the folder layout, the submissions it lists, one nbgrader API per course."""
import os

from autograder.course import Course

SLUGS = ["01_fc_layer", "02_gender_demo"]


def test_the_layout_is_spelled_by_the_course(tmp_path):
    course = Course(tmp_path / "term" / ".." / "term")
    root = (tmp_path / "term").resolve()
    assert course.root == root
    assert course.submitted() == root / "submitted"
    assert course.submitted("ann", "01_fc_layer") == root / "submitted" / "ann" / "01_fc_layer"
    assert course.autograded("ann", "01_fc_layer") == root / "autograded" / "ann" / "01_fc_layer"
    assert course.report("ann", "01_fc_layer") == root / "autograded" / "ann" / "01_fc_layer" / "grading.json"
    assert course.feedback("ann", "01_fc_layer") == root / "feedback" / "ann" / "01_fc_layer"
    assert course.page("ann", "01_fc_layer") == root / "feedback" / "ann" / "01_fc_layer" / "01_fc_layer.html"
    assert course.db_url == f"sqlite:///{root / 'gradebook.db'}"


def test_submissions_are_the_valid_folders_in_order(tmp_path):
    course = Course(tmp_path)
    assert course.submissions(SLUGS) == []
    for student, slug in [("bob", "02_gender_demo"), ("ann", "02_gender_demo"), ("ann", "01_fc_layer"),
                          ("=cmd", "01_fc_layer"), ("bob", "99_nothing")]:
        course.submitted(student, slug).mkdir(parents=True)
    (course.submitted("ann") / "01_fc_layer.ipynb").write_text("{}")  # a file, not a submission
    (course.submitted("cat")).mkdir()
    os.symlink(course.submitted("ann"), course.submitted("dan"))
    assert course.submissions(SLUGS) == [("ann", "01_fc_layer"), ("ann", "02_gender_demo"), ("bob", "02_gender_demo")]
    assert course.submissions(["02_gender_demo"], students=["bob"]) == [("bob", "02_gender_demo")]


def test_the_api_is_built_once_and_the_gradebook_is_the_courses(tmp_path):
    course = Course(tmp_path)
    api = course.api()
    assert course.api() is api
    assert api.coursedir.root == str(tmp_path.resolve())
    assert api.coursedir.db_url == course.db_url
    with course.gradebook() as gb:
        gb.update_or_create_student("ann")
    assert (tmp_path / "gradebook.db").is_file()
    with course.gradebook() as gb:
        assert [s.id for s in gb.students] == ["ann"]
