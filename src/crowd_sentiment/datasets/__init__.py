"""Kedro datasets of this project: raw bytes, the media folder, the validated image store, stored students, torch state files, figure sets."""

from crowd_sentiment.datasets.binary import BinaryFileDataset
from crowd_sentiment.datasets.feature_cache import FeatureCacheDataset
from crowd_sentiment.datasets.figures import FigureSetDataset
from crowd_sentiment.datasets.image_store import ImageStoreDataset
from crowd_sentiment.datasets.media_folder import MediaFolderDataset
from crowd_sentiment.datasets.mvsa import MvsaCrowdDumpDataset, MvsaCrowdMediaDataset
from crowd_sentiment.datasets.optional_table import OptionalCsvDataset
from crowd_sentiment.datasets.stored_student import StoredStudentDataset
from crowd_sentiment.datasets.student_pyfunc import StudentPyfuncDataset
from crowd_sentiment.datasets.teacher import MlflowParamsDataset, ScoreStoreDataset, StoredTeacherDataset
from crowd_sentiment.datasets.torch_state import CheckpointStoreDataset, TorchStateDataset

__all__ = [
    "BinaryFileDataset",
    "CheckpointStoreDataset",
    "FeatureCacheDataset",
    "FigureSetDataset",
    "ImageStoreDataset",
    "MediaFolderDataset",
    "MvsaCrowdDumpDataset",
    "MvsaCrowdMediaDataset",
    "MlflowParamsDataset",
    "OptionalCsvDataset",
    "ScoreStoreDataset",
    "StoredTeacherDataset",
    "StoredStudentDataset",
    "StudentPyfuncDataset",
    "TorchStateDataset",
]
